"""
Handle the steps that follow the announcement of selection results.

These are complaints, objections (sanggah), cancellation of an admission
found to rest on forged documents, re-registration (daftar ulang) and
withdrawal (cabut berkas). ``services`` contains the rules and ``views``
the pages.
"""
