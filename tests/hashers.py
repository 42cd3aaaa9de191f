from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with minimal cost: the same code path, fast enough for thousands of test logins."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1
