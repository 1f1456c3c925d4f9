"""A protocol-faithful fake of obs-websocket v5 (OBS Studio's built-in server).

Implements the handshake and request flow of the v5 protocol
(https://github.com/obsproject/obs-websocket/blob/master/docs/generated/protocol.md):

* subprotocols ``obswebsocket.json`` (text frames) and ``obswebsocket.msgpack``
  (binary frames), as OBS does;
* ``Hello`` (op 0) with ``authentication: {challenge, salt}`` when a password is set;
* ``Identify`` (op 1): checks ``rpcVersion`` and the auth string
  ``b64(sha256(b64(sha256(password + salt)) + challenge))``; wrong -> close 4009
  (AuthenticationFailed), missing -> close 4006 ... as OBS does;
* ``Identified`` (op 2) with ``negotiatedRpcVersion``;
* ``Request`` (op 6) -> ``RequestResponse`` (op 7) for a small set of request
  types against an in-memory model of scenes and inputs (unknown inputs answer
  code 600 ResourceNotFound, unknown request types code 204 UnknownRequestType).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets

import msgpack
import websockets

SUBPROTOCOLS = ["obswebsocket.json", "obswebsocket.msgpack"]
#: Connections served by any FakeObs in this process (reported in the test summary).
CONNECTIONS = [0]


def auth_string(password: str, salt: str, challenge: str) -> str:
    secret = base64.b64encode(hashlib.sha256((password + salt).encode()).digest())
    return base64.b64encode(hashlib.sha256(secret + challenge.encode()).digest()).decode()


class FakeObs:
    def __init__(self, password: str = "", *, inputs: list[str] | None = None,
                 scenes: dict[str, list[str]] | None = None) -> None:
        self.password = password
        self.inputs: dict[str, dict] = {n: {"text": ""} for n in (inputs or [])}
        self.scenes: dict[str, dict[str, dict]] = {
            scene: {src: {"id": i + 1, "enabled": False} for i, src in enumerate(items)}
            for scene, items in (scenes or {"Scene": []}).items()}
        self.program_scene = next(iter(self.scenes))
        self.requests: list[tuple[str, dict]] = []     # every Request received, in order
        self.text_history: dict[str, list[str]] = {}   # input -> texts set, in order
        self.identified = 0
        self.auth_failures = 0
        self.subprotocols_used: list[str | None] = []
        self.port = 0
        self._server = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def __aenter__(self) -> "FakeObs":
        self._server = await websockets.serve(self._handle, "127.0.0.1", 0,
                                              subprotocols=SUBPROTOCOLS)
        self.port = self._server.sockets[0].getsockname()[1]
        print(f"[fake-obs] using the FAKE obs-websocket v5 server on {self.url} "
              f"(not a real OBS Studio)")
        return self

    async def __aexit__(self, *exc) -> None:
        self._server.close()
        await self._server.wait_closed()

    # ---- Protocol ------------------------------------------------------------------
    async def _handle(self, ws) -> None:
        CONNECTIONS[0] += 1
        proto = ws.subprotocol
        self.subprotocols_used.append(proto)
        binary = proto == "obswebsocket.msgpack"

        async def send(op: int, d: dict) -> None:
            msg = {"op": op, "d": d}
            await ws.send(msgpack.packb(msg) if binary else json.dumps(msg))

        def decode(raw) -> dict:
            return msgpack.unpackb(raw) if binary else json.loads(raw)

        challenge, salt = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        hello = {"obsWebSocketVersion": "5.5.4", "rpcVersion": 1}
        if self.password:
            hello["authentication"] = {"challenge": challenge, "salt": salt}
        await send(0, hello)
        try:
            msg = decode(await asyncio.wait_for(ws.recv(), 10))
        except (asyncio.TimeoutError, websockets.ConnectionClosed):
            return
        if msg.get("op") != 1:
            await ws.close(4007, "NotIdentified")   # WebSocketCloseCode::NotIdentified
            return
        d = msg.get("d") or {}
        if d.get("rpcVersion") != 1:
            await ws.close(4010, "UnsupportedRpcVersion")
            return
        if self.password:
            if "authentication" not in d:
                self.auth_failures += 1
                await ws.close(4009, "AuthenticationFailed")
                return
            if d["authentication"] != auth_string(self.password, salt, challenge):
                self.auth_failures += 1
                await ws.close(4009, "AuthenticationFailed")
                return
        self.identified += 1
        await send(2, {"negotiatedRpcVersion": 1})
        try:
            async for raw in ws:
                msg = decode(raw)
                if msg.get("op") == 6:
                    await send(7, self._request(msg["d"]))
        except websockets.ConnectionClosed:
            pass

    def _request(self, d: dict) -> dict:
        rtype, rid, data = d.get("requestType"), d.get("requestId"), d.get("requestData") or {}
        self.requests.append((rtype, data))
        out = {"requestType": rtype, "requestId": rid}

        def ok(response: dict | None = None) -> dict:
            out["requestStatus"] = {"result": True, "code": 100}
            if response is not None:
                out["responseData"] = response
            return out

        def fail(code: int, comment: str) -> dict:
            out["requestStatus"] = {"result": False, "code": code, "comment": comment}
            return out

        if rtype == "GetVersion":
            return ok({"obsVersion": "30.2.3 (fake)", "obsWebSocketVersion": "5.5.4",
                       "rpcVersion": 1, "availableRequests": ["GetVersion", "SetInputSettings",
                       "GetInputSettings", "SetCurrentProgramScene", "GetCurrentProgramScene",
                       "GetSceneItemId", "SetSceneItemEnabled", "GetInputList", "GetSceneList",
                       "CreateScene", "CreateInput", "GetSceneItemEnabled"]})
        if rtype == "GetInputList":
            return ok({"inputs": [{"inputName": n, "inputKind": "text_ft2_source_v2",
                                   "unversionedInputKind": "text_ft2_source"} for n in self.inputs]})
        if rtype == "GetSceneList":
            return ok({"currentProgramSceneName": self.program_scene,
                       "scenes": [{"sceneName": n, "sceneIndex": i}
                                  for i, n in enumerate(reversed(list(self.scenes)))]})
        if rtype == "CreateScene":
            name = data.get("sceneName")
            if not name or name in self.scenes or name in self.inputs:
                return fail(601, "A source already exists by that scene name.")
            self.scenes[name] = {}
            return ok({"sceneUuid": secrets.token_hex(8)})
        if rtype == "CreateInput":
            scene, name = data.get("sceneName"), data.get("inputName")
            if scene not in self.scenes:
                return fail(600, "No source was found by the name of `%s`." % scene)
            if not name or name in self.inputs or name in self.scenes:
                return fail(601, "A source already exists by that input name.")
            self.inputs[name] = dict(data.get("inputSettings") or {})
            item_id = 1 + max((i["id"] for items in self.scenes.values() for i in items.values()),
                              default=0)
            self.scenes[scene][name] = {"id": item_id,
                                        "enabled": bool(data.get("sceneItemEnabled", True))}
            return ok({"inputUuid": secrets.token_hex(8), "sceneItemId": item_id})
        if rtype == "GetSceneItemEnabled":
            for item in self.scenes.get(data.get("sceneName"), {}).values():
                if item["id"] == data.get("sceneItemId"):
                    return ok({"sceneItemEnabled": item["enabled"]})
            return fail(600, "No scene item was found.")
        if rtype == "SetInputSettings":
            name = data.get("inputName")
            if name not in self.inputs:
                return fail(600, f"No source was found by the name of `{name}`.")
            self.inputs[name].update(data.get("inputSettings") or {})
            if "text" in (data.get("inputSettings") or {}):
                self.text_history.setdefault(name, []).append(data["inputSettings"]["text"])
            return ok()
        if rtype == "GetInputSettings":
            name = data.get("inputName")
            if name not in self.inputs:
                return fail(600, f"No source was found by the name of `{name}`.")
            return ok({"inputKind": "text_ft2_source_v2", "inputSettings": dict(self.inputs[name])})
        if rtype == "SetCurrentProgramScene":
            if data.get("sceneName") not in self.scenes:
                return fail(600, "No scene was found by that name.")
            self.program_scene = data["sceneName"]
            return ok()
        if rtype == "GetCurrentProgramScene":
            return ok({"currentProgramSceneName": self.program_scene})
        if rtype == "GetSceneItemId":
            item = self.scenes.get(data.get("sceneName"), {}).get(data.get("sourceName"))
            if item is None:
                return fail(600, "No scene items were found in the specified scene by that name.")
            return ok({"sceneItemId": item["id"]})
        if rtype == "SetSceneItemEnabled":
            for item in self.scenes.get(data.get("sceneName"), {}).values():
                if item["id"] == data.get("sceneItemId"):
                    item["enabled"] = bool(data.get("sceneItemEnabled"))
                    return ok()
            return fail(600, "No scene item was found.")
        return fail(204, f"Your request type `{rtype}` is not valid.")
