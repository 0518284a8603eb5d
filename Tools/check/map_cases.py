#!/usr/bin/env python3
"""The map page's cases, as a signed-in user sees them: headless Chromium (DevTools protocol) opens the page,
types the token into the panel (it stays in session storage, never in the URL), signs in, and counts the case
markers drawn against GET /cases?status=open. Fails when the page draws no case while the API has some, when a
visitor without a token sees any, or when the token reaches the URL.

    Tools/check/map_cases.py URL TOKEN [PNG]
"""
import json, subprocess, sys, tempfile, time, urllib.request

import websocket  # websocket-client (PyPI)

url, token = sys.argv[1].rstrip("/"), sys.argv[2]
png = sys.argv[3] if len(sys.argv) > 3 else None
port = 9333
profile = tempfile.mkdtemp(prefix="urbangrid-chromium-")
chrome = subprocess.Popen(["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--remote-debugging-port={port}",
                           f"--user-data-dir={profile}", "--window-size=1280,900", "about:blank"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(100):
        try:
            pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
            page = next(p for p in pages if p.get("type") == "page")
            break
        except Exception:
            time.sleep(0.2)
    ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
    ids = iter(range(1, 10**6))

    def call(method, **params):
        i = next(ids)
        ws.send(json.dumps({"id": i, "method": method, "params": params}))
        while True:
            m = json.loads(ws.recv())
            if m.get("id") == i:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})

    def js(expr):
        r = call("Runtime.evaluate", expression=expr, awaitPromise=True, returnByValue=True)
        return r.get("result", {}).get("value")

    def wait(expr, seconds=30):
        end = time.time() + seconds
        while time.time() < end:
            if js(expr):
                return True
            time.sleep(0.2)
        return False

    call("Page.enable")
    call("Page.navigate", url=url + "/")
    if not wait("document.body && document.body.dataset.loaded !== undefined"):
        sys.exit("map page did not finish loading")
    anonymous = js("layers.cases.getLayers().length")
    js(f"document.getElementById('casesBox').open = true; document.getElementById('token').value = {json.dumps(token)}; "
       "document.getElementById('signin').click(); true")
    wait("/open \\(/.test(document.getElementById('status').textContent) || /cases: failed/.test(document.getElementById('status').textContent)")
    drawn = js("layers.cases.getLayers().length")
    states = js("JSON.stringify(layers.cases.getLayers().map(l => l.feature.properties.time_state))")
    status = js("document.getElementById('status').textContent")
    location = js("location.href")
    req = urllib.request.Request(url + "/cases?status=open&limit=5000", headers={"Authorization": "Bearer " + token})
    expected = len(json.load(urllib.request.urlopen(req)))
    if png:
        data = call("Page.captureScreenshot", format="png")["data"]
        import base64
        open(png, "wb").write(base64.b64decode(data))
    print(f"cases: {drawn} drawn for the signed-in user ({expected} open in the API), {anonymous} for a visitor; time states {json.loads(states).count('red')} red")
    problems = []
    if anonymous:
        problems.append(f"a visitor without a token sees {anonymous} cases")
    if drawn != expected:
        problems.append(f"{drawn} case markers drawn, the API lists {expected}: {status}")
    if expected and not drawn:
        problems.append("no case drawn")
    if token in location:
        problems.append("the token is in the URL")
    if problems:
        sys.exit("map cases check failed: " + "; ".join(problems))
finally:
    chrome.kill()
