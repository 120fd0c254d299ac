import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """admin_user and staff users are created in most tests here; PBKDF2 would cost ~0.5 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
