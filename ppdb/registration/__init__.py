"""
Let parents register a child for admission.

``forms`` and ``views`` contain the web side, ``services`` stores an
application in one transaction, and ``boundary``, ``documents`` and
``checks`` contain the rules that need no database.
"""
