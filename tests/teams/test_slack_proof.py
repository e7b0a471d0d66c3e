"""The signed proof of `/oncall link` (teams.slack_proof): short-lived, and only ever a Slack id."""

import time

from django.core import signing

from teams import slack_proof


def test_a_proof_older_than_fifteen_minutes_names_nobody(monkeypatch):
    proof = slack_proof.issue("U_ALICE")
    later = time.time() + 15 * 60 + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert slack_proof.verify(proof) is None


def test_a_proof_signed_over_something_other_than_an_id_names_nobody():
    proof = signing.dumps(["U_ALICE"], salt=slack_proof.SALT, compress=False)
    assert slack_proof.verify(proof) is None
