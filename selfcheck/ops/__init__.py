"""The servers around the app, for operators: the supervisor of ``make serve``
(:mod:`selfcheck.ops.supervisor`), nginx's configuration (:mod:`selfcheck.ops.nginx_config`) and
gunicorn's (:mod:`selfcheck.ops.gunicorn_config`). They use the web layer; it never uses them.
"""
