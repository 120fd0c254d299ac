"""Spanish first: English only when the visitor picks it with the language switch."""


def test_an_english_browser_still_gets_spanish_by_default(client, db):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="es' in html and "Obras cerca de mí" in html


def test_the_language_switch_cookie_gives_english(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="es-MX").content.decode()
    assert '<html lang="en' in html and "Works near me" in html


def test_an_unknown_language_cookie_falls_back_to_spanish(client, db):
    client.cookies["django_language"] = "xx"
    assert '<html lang="es' in client.get("/").content.decode()
