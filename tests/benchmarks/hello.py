"""The floor for the throughput benchmark: a bare Flask "hello world" app."""

from flask import Flask

app = Flask(__name__)


@app.route("/", methods=["GET", "POST"])
def hello() -> str:
    return "Hello, World!"
