"""OpenAPI rows of the admin routes (api_admin.py): staff accounts, paired devices, the hall notice."""

from __future__ import annotations

from . import bodies_admin
from .openapi_route import STAFF, Route
from .openapi_schemas import INT, STR, obj, ref

USER_OK = obj({"user": ref("AdminUser")})
REVOKED_OK = obj({"user": ref("AdminUser"), "tokens_revoked": INT})
U = "/api/v1/admin/users/<username>"
D = "/api/v1/admin/devices"
ADMIN_ROUTES: tuple[Route, ...] = (
    Route("get", "/api/v1/admin/users", "staff accounts with their sign-in failures (managers, admins)",
          ok=obj({"users": {"type": "array", "items": ref("AdminUser")}}), errors=(403,), auth=STAFF),
    Route("post", "/api/v1/admin/users", "add a staff account with its role and department (admins)",
          ok=USER_OK, status=201, errors=(403, 404), auth=STAFF, body=bodies_admin.AddUser),
    Route("post", f"{U}/disable", "refuse the account's sign-ins, revoke its tokens, drop its connections "
          "(admins; 409 own_account for one's own)", ok=REVOKED_OK, errors=(403, 409), auth=STAFF),
    Route("post", f"{U}/enable", "let a disabled account sign in again (admins)", ok=REVOKED_OK, errors=(403,),
          auth=STAFF),
    Route("post", f"{U}/reset-password", "a new password; the account's tokens revoked, connections dropped "
          "(admins)", ok=REVOKED_OK, errors=(403,), auth=STAFF, body=bodies_admin.ResetPassword),
    Route("post", f"{U}/unlock", "forget the failed sign-ins counted against the name (admins)", ok=USER_OK,
          errors=(403,), auth=STAFF),
    Route("get", D, "paired devices (managers, admins)",
          ok=obj({"devices": {"type": "array", "items": ref("AdminDevice")}}), errors=(403,), auth=STAFF),
    Route("post", D, "pair a device: its key is in this answer, once (admins)",
          ok=obj({"device": ref("AdminDevice"), "key": STR}), status=201, errors=(403,), auth=STAFF,
          body=bodies_admin.PairDevice),
    Route("put", f"{D}/<device_name>", "a kiosk's printer or a display's zone, windows and queues (admins); the "
          "display takes them at once", ok=obj({"device": ref("AdminDevice")}), errors=(403,), auth=STAFF,
          body=bodies_admin.UpdateDevice),
    Route("delete", f"{D}/<device_name>", "revoke a device's key; its connections drop (admins)", status=204,
          errors=(403,), auth=STAFF),
    Route("get", "/api/v1/hall/notice", "the hall notice the hall screens scroll",
          ok=obj({"notice": ref("HallNotice")}), auth=STAFF),
    Route("put", "/api/v1/hall/notice", "set the hall notice (managers, admins); sent live as hall.notice; \"\" "
          "clears it", ok=obj({"notice": ref("HallNotice")}), errors=(403,), auth=STAFF, body=bodies_admin.Notice),
)
