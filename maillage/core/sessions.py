"""The session engine (settings.SESSION_ENGINE): Django's database sessions, with the cookie's key
read only if it is one Django could have issued.

Django accepts any session key of 8 characters or more and looks it up. The cookie is the
client's to write, and its value is unquoted with octal escapes (`"\\000\\000…"` is eight NUL
characters): PostgreSQL refuses a NUL in a text, and the look-up raised DataError, a 500 on every
page. A key that is not Django's own shape (letters and digits, at most the column's 40) is now no
session at all, as an unknown key is.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

MAX_KEY = 40  # django_session.session_key


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        return bool(super()._validate_session_key(key)) and len(key) <= MAX_KEY and key.isascii() and key.isalnum()
