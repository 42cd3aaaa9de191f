# The documents tests' small agencies (clerk, leader, specialists), shared rather than rebuilt.
from tests.documents.conftest import other_world, world  # noqa: F401
