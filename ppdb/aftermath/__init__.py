"""
What follows the announcement of results.

Complaints, objections (sanggah), cancellation of an admission found to rest
on forged documents, re-registration (daftar ulang) and withdrawal (cabut
berkas). ``services`` holds the rules, ``views`` the pages.
"""
