"""Fixtures shared by the tests and the screenshot scripts (a scripted session, a fake one)."""
