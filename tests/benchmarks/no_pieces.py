"""selfcheck with its pieces rendered for every request, for the throughput benchmark.

The app as it is served, except that each piece of templates/_fields.html and
templates/_results.html is rendered when a page asks for it, and the emergency check is
rendered for each visitor, as if selfcheck/web/pieces.py made nothing at start-up. The rows it
gives show what the pieces save on each page.
"""

from dataclasses import replace

from selfcheck import create_app
from selfcheck.web.pieces import Pieces

app = create_app()
service = app.extensions["selfcheck"]
app.extensions["selfcheck"] = replace(service, pieces=Pieces(app, service.rules, ahead=False))
