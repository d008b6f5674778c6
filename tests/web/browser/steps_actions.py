"""The walk's part: actions (see walk.py, which calls run() after the meeting is held)."""


def run(walk):
    """`walk`: browser, context, page (the secrétariat, signed in), admin and
    sec (API tokens), users, people, committee_url/_id, meeting_url/_id."""
