"""The baseline: a bare Flask "hello world", served with the same server settings as the portal."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
