#!/usr/bin/env python3
"""Browser test of the dashboard (`/ui`) with headless Chromium over the DevTools protocol.

Starts 3 agents with an API token on 127.0.93.1-3, applies cluster/manifests/hostnames.yaml, opens
http://127.0.93.1:7480/ui#token=… once, and then, without reloading the page:
  1. every member and every pod the API lists is on the page (DOM rows by name);
  2. `ordinal scale statefulset web --replicas 5`: the page shows 5 pods, all Ready;
  3. kill -9 of a3: the page shows a3 dead and its pods not Ready (their local volumes hold
     them to a3, as in Kubernetes), the others Ready.
A screenshot of each state goes to --artefacts (default .build/test-artefacts/dashboard).
Exits non-zero naming the first check that failed. Every wait has a deadline."""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402
from cdp import Browser  # noqa: E402

IPS = [f"127.0.93.{i}" for i in (1, 2, 3)]
TOKEN = "dashboard-test-token-" + os.urandom(6).hex()


class Failed(Exception):
    pass


def api(i=0):
    return f"http://{IPS[i]}:{H.API_PORT}"


def cli(binary, *args):
    import subprocess
    done = subprocess.run([binary, *args, "--agent", api(0), "--token", TOKEN], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise Failed(f"ordinal {' '.join(args)}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def listed(path, i=0):
    body = H.get_json(api(i) + path, timeout=2, token=TOKEN) or {}
    return body.get("items") or []


def page_state(browser):
    """What the page shows, read from its DOM."""
    return browser.evaluate("""(() => ({
        members: [...document.querySelectorAll('tr[data-member]')].map(r => [r.dataset.member, r.dataset.state]),
        pods: [...document.querySelectorAll('tr[data-pod]')].map(r => [r.dataset.pod, r.dataset.phase, r.dataset.ready, r.dataset.node]),
        replicas: [...document.querySelectorAll('details[data-set] summary')].map(s => s.textContent.replace(/\\s+/g, ' ').trim()),
        marker: window.__ordinalTestMarker || null,
        navigations: performance.getEntriesByType('navigation').length,
        tokenForm: document.getElementById('token-form')?.hidden === false,
    }))()""")


def wait_page(browser, what, predicate, timeout):
    end = time.time() + timeout
    last = None
    while time.time() < end:
        last = page_state(browser)
        if predicate(last):
            return last
        time.sleep(0.1)
    raise Failed(f"the page never showed {what} within {timeout:.0f} s; last: {json.dumps(last)[:1500]}")


def check_no_reload(state):
    if state["marker"] != "set-once" or state["navigations"] != 1:
        raise Failed(f"the page was reloaded (marker {state['marker']}, navigations {state['navigations']})")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ordinal-bin", default=os.path.join(H.REPO, ".build", "debug", "ordinal"))
    parser.add_argument("--artefacts", default=os.path.join(H.REPO, ".build", "test-artefacts", "dashboard"))
    args = parser.parse_args()
    if not shutil.which("chromium"):
        print("test-dashboard: chromium is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    os.makedirs(args.artefacts, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="ordinal-dashboard-test-")
    token_file = os.path.join(workdir, "token")
    H.write_text(token_file, TOKEN + "\n")
    pg = H.ProcGroup()
    browser = None
    try:
        for i, ip in enumerate(IPS):
            name = f"a{i + 1}"
            argv = H.agent_argv(args.ordinal_bin, name, ip, os.path.join(workdir, name), bootstrap_expect=3,
                                join=[IPS[0]] if i else (), extra=f"--api-token-file {token_file}")
            pg.spawn(name, argv, os.path.join(workdir, name + ".log"))
        ok, _ = H.wait_for(lambda: ((H.get_json(api() + "/ordinal/v1/raft", token=TOKEN) or {}).get("leader") is not None
                                    and len(listed("/api/v1/nodes")) == 3, None), 40)
        if not ok:
            raise Failed("the 3 agents did not form a cluster within 40 s")
        cli(args.ordinal_bin, "apply", "-f", os.path.join(H.REPO, "cluster", "manifests", "hostnames.yaml"))
        ok, _ = H.wait_for(lambda: (sum(H.pod_ready(p) for p in listed("/api/v1/pods")) == 3, None), 60)
        if not ok:
            raise Failed("web-0..2 were not Ready within 60 s")

        browser = Browser(port=9339)
        started = time.time()
        browser.navigate(api() + "/ui#token=" + TOKEN)
        expected_members = {m["name"] for m in (H.get_json(api() + "/ordinal/v1/members", token=TOKEN) or {}).get("members", [])}
        expected_pods = {f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in listed("/api/v1/pods")}
        state = wait_page(browser, "every member and pod", lambda s: {m for m, _ in s["members"]} == expected_members
                          and {p for p, *_ in s["pods"]} == expected_pods, 15)
        print(f"test-dashboard: first render with {len(expected_members)} members and {len(expected_pods)} pods "
              f"after {time.time() - started:.2f} s (page load included)")
        if state["tokenForm"]:
            raise Failed("the page asked for a token it was given in its address")
        browser.evaluate("window.__ordinalTestMarker = 'set-once'")
        browser.screenshot(os.path.join(args.artefacts, "1-three-pods.png"))

        cli(args.ordinal_bin, "scale", "statefulset", "web", "--replicas", "5")
        state = wait_page(browser, "5 Ready pods after the scale", lambda s: len(s["pods"]) == 5
                          and all(ready == "true" for _, _, ready, _ in s["pods"]), 60)
        check_no_reload(state)
        browser.screenshot(os.path.join(args.artefacts, "2-scaled-to-five.png"))

        on_a3 = {p for p, _, _, node in state["pods"] if node == "a3"}
        if not on_a3:
            raise Failed("no pod ran on a3 to watch it go")
        pg.kill9("a3")
        # hostnames.yaml's volumes are local: a3's pods wait for their node (NodeLost), as in Kubernetes.
        state = wait_page(browser, f"a3 dead and its pods {sorted(on_a3)} not Ready, the others Ready", lambda s:
                          dict(s["members"]).get("a3") == "dead" and len(s["pods"]) == 5
                          and all((ready == "false") == (pod in on_a3) for pod, _, ready, _ in s["pods"]), 60)
        check_no_reload(state)
        browser.screenshot(os.path.join(args.artefacts, "3-a3-killed.png"))
        print(f"test-dashboard: passed; screenshots in {args.artefacts}")
        return 0
    except Failed as failure:
        if browser:
            try:
                browser.screenshot(os.path.join(args.artefacts, "failed.png"))
            except Exception:
                pass
        for name in ("a1", "a2", "a3"):
            path = os.path.join(workdir, name + ".log")
            if os.path.exists(path):
                print(f"--- {name}.log (tail)\n" + open(path, errors="replace").read()[-3000:], file=sys.stderr)
        print(f"test-dashboard: FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        if browser:
            browser.close()
        pg.stop_all(grace=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
