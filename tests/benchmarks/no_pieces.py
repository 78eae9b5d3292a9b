"""selfcheck with its pieces rendered for every request, for the throughput benchmark.

The app as it is served, except that each piece of templates/_fields.html and
templates/_results.html is rendered when a page asks for it, as if selfcheck/web/pieces.py
made none at start-up. The rows it gives show what the pieces save on each page.
"""

from selfcheck import create_app
from selfcheck.web.pieces import Pieces

app = create_app()
app.jinja_env.globals["pieces"] = Pieces(app, app.extensions["selfcheck"].rules, ahead=False)
