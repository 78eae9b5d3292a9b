"""selfcheck's own stack with no page made, for the throughput benchmark's last row.

The app as it is served, except that POST /check answers "ok" as soon as its view is reached:
by then Flask has read the session cookie and parsed the form, Flask-WTF has checked the CSRF
token, and the security headers are still added. It shows how much of the outcome POST's time
goes to that work, which every form POST needs, before any of selfcheck's own code runs.
"""

from selfcheck import create_app

app = create_app()
app.view_functions["selfcheck.check"] = lambda: "ok"
