"""What the login tests share: a password the policy accepts and a login POST."""
import ckan.plugins.toolkit as tk

PASSWORD = "Correct-horse-42"


def login(app, name, password, **kw):
    return app.post(tk.url_for("user.login"), data={"login": name, "password": password},
                    follow_redirects=False, **kw)
