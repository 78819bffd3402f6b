"""
Parents' registration of a child for admission.

``forms`` and ``views`` hold the web side, ``services`` stores an
application in one transaction, and ``boundary``, ``documents`` and
``checks`` hold the rules that need no database.
"""
