"""`python -m tests.fake_slack --port N`: the fake Slack as a server to try the product by
hand, answering like Slack and printing what it receives."""

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_fake_runs_on_a_port_and_prints_what_it_receives():
    port = free_port()
    proc = subprocess.Popen(
        [
            *(sys.executable, "-u", "-m", "tests.fake_slack", "--port", str(port)),
            *("--usergroup", "S_PAY=U_ALICE,U_BOB"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        banner = proc.stdout.readline()
        assert f"SLACK_API_URL=http://127.0.0.1:{port}/api/" in banner
        web = WebClient(token="xoxb-fake", base_url=f"http://127.0.0.1:{port}/api/")
        posted = web.chat_postMessage(channel="C_PAY", text="Hello <@U_ALICE>", thread_ts="1.2")
        assert posted["ok"] and posted["ts"] == "1700.000001"
        edited = web.chat_update(channel="C_PAY", ts=posted["ts"], text="Bye", blocks=[])
        assert edited["ok"]
        lines = [proc.stdout.readline().rstrip("\n") for _ in range(9)]
        group = web.api_call("usergroups.users.list", data={"usergroup": "S_PAY"})
        assert group["users"] == ["U_ALICE", "U_BOB"]
        # a group it was not told of is unknown, as in Slack: a member sync changes nothing
        with pytest.raises(SlackApiError, match="no_such_subteam"):
            web.api_call("usergroups.users.list", data={"usergroup": "S_OTHER"})
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert lines[0].endswith("chat.postMessage -> 200 ok ts=1700.000001")
    assert lines[1:4] == ["    channel: C_PAY", "    text: Hello <@U_ALICE>", "    thread_ts: 1.2"]
    assert lines[4].endswith("chat.update -> 200 ok ts=1700.000001")
    assert lines[5:9] == [
        "    channel: C_PAY",
        "    ts: 1700.000001",
        "    text: Bye",
        "    blocks: []",
    ]
