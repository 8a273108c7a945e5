"""HTTP routes for conversations and messages (rules in conversations.py, messages.py and
policy.py)."""

from __future__ import annotations

from aiohttp import web

from server.api import USER, VERIFIED, ApiRequest, endpoint, json_response
from server.messaging import schemas
from server.messaging.alerts import AlertService
from server.messaging.changes import ChangeService
from server.messaging.conversations import ConversationService
from server.messaging.messages import MessageService
from server.messaging.ratelimit import SEARCH_LIMITER, SEND_LIMITER
from server.messaging.search import SearchService
from server.messaging.sender import SEND_WRITER

routes = web.RouteTableDef()
TAG = "messaging"


def messages(api: ApiRequest) -> MessageService:
    """The same service the /chat namespace uses: sends share its rate limit and its
    batching writer."""
    return MessageService(api.db, api.app[SEND_LIMITER], api.app[SEND_WRITER])


def changes(api: ApiRequest) -> ChangeService:
    """Edits, deletions and reactions count against the same limit as sends."""
    return ChangeService(api.db, api.app[SEND_LIMITER], api.settings.message_edit_window_seconds)


def conversations(api: ApiRequest) -> ConversationService:
    return ConversationService(api.db, messages(api))


@endpoint(
    routes,
    "POST",
    "/api/conversations",
    summary="Start a conversation about an application, a gig or an organization "
    "(201), or get the existing one with the same participants and context (200)",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.ConversationStart,
    response=schemas.Conversation,
    status=201,
    errors=(403, 404, 409, 422, 429),
)
async def start_conversation(api: ApiRequest) -> web.Response:
    started = await conversations(api).start(api.user.user_id, api.body)
    return json_response(started.conversation, 201 if started.created else 200)


@endpoint(
    routes,
    "GET",
    "/api/conversations",
    summary="My conversations, most recent activity first, with last message and unread count",
    tag=TAG,
    auth=VERIFIED,
    query=schemas.ConversationListQuery,
    response=schemas.ConversationPage,
    errors=(400, 422),
)
async def list_conversations(api: ApiRequest) -> schemas.ConversationPage:
    return await conversations(api).list_conversations(api.user.user_id, api.query)


@endpoint(
    routes,
    "GET",
    "/api/conversations/{conversation_id}",
    summary="One of my conversations (404 for anyone not in it)",
    tag=TAG,
    auth=VERIFIED,
    response=schemas.Conversation,
    errors=(404,),
)
async def get_conversation(api: ApiRequest) -> schemas.Conversation:
    return await conversations(api).get(api.user.user_id, api.path_id("conversation_id"))


@endpoint(
    routes,
    "GET",
    "/api/conversations/{conversation_id}/messages",
    summary="Message history by seq: newest first (below `before`), oldest first "
    "(above `after`), or the page around a seq, oldest first (`around`)",
    tag=TAG,
    auth=VERIFIED,
    query=schemas.MessageListQuery,
    response=schemas.MessagePage,
    errors=(404, 422),
)
async def list_messages(api: ApiRequest) -> schemas.MessagePage:
    return await messages(api).history(api.user.user_id, api.path_id("conversation_id"), api.query)


@endpoint(
    routes,
    "POST",
    "/api/conversations/{conversation_id}/messages",
    summary="Send a message (201); a retry with the same client_msg_id returns the original (200)",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.MessageSend,
    response=schemas.Message,
    status=201,
    errors=(404, 409, 422, 429, 503),
)
async def send_message(api: ApiRequest) -> web.Response:
    sent = await messages(api).send(api.user.user_id, api.path_id("conversation_id"), api.body)
    return json_response(sent.message, 201 if sent.created else 200)


@endpoint(
    routes,
    "POST",
    "/api/conversations/{conversation_id}/read",
    summary="Mark my messages read up to a seq (the marker never moves back)",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.ReadUpTo,
    response=schemas.ReadState,
    errors=(404, 422),
)
async def mark_read(api: ApiRequest) -> schemas.ReadState:
    return await messages(api).mark_read(api.user.user_id, api.path_id("conversation_id"), api.body)


@endpoint(
    routes,
    "POST",
    "/api/conversations/{conversation_id}/participants",
    summary="Add a participant the conversation's context allows you to talk with (201), "
    "or nothing if they are already in it (200)",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.ParticipantAdd,
    response=schemas.Conversation,
    status=201,
    errors=(403, 404, 422),
)
async def add_participant(api: ApiRequest) -> web.Response:
    added = await conversations(api).add_participant(
        api.user.user_id, api.path_id("conversation_id"), api.body
    )
    return json_response(added.conversation, 201 if added.created else 200)


@endpoint(
    routes,
    "DELETE",
    "/api/conversations/{conversation_id}/participants/{user_id}",
    summary="Leave a conversation, or (its starter only) remove someone from it",
    tag=TAG,
    auth=VERIFIED,
    status=204,
    errors=(403, 404),
)
async def remove_participant(api: ApiRequest) -> None:
    await conversations(api).remove_participant(
        api.user.user_id, api.path_id("conversation_id"), api.path_id("user_id")
    )


MESSAGE_PATH = "/api/conversations/{conversation_id}/messages/{message_id}"


@endpoint(
    routes,
    "PATCH",
    MESSAGE_PATH,
    summary="Edit my message's content (within MESSAGE_EDIT_WINDOW_SECONDS of sending); "
    "the same content again changes nothing",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.MessageEdit,
    response=schemas.Message,
    errors=(403, 404, 409, 422, 429),
)
async def edit_message(api: ApiRequest) -> schemas.Message:
    return await changes(api).edit(
        api.user.user_id, api.path_id("conversation_id"), api.path_id("message_id"), api.body
    )


@endpoint(
    routes,
    "DELETE",
    MESSAGE_PATH,
    summary="Delete my message for everyone (a tombstone keeps its seq); deleting it again "
    "changes nothing",
    tag=TAG,
    auth=VERIFIED,
    status=204,
    errors=(403, 404, 429),
)
async def delete_message(api: ApiRequest) -> None:
    await changes(api).delete(
        api.user.user_id, api.path_id("conversation_id"), api.path_id("message_id")
    )


@endpoint(
    routes,
    "GET",
    MESSAGE_PATH + "/edits",
    summary="The earlier versions of my edited message, oldest first (its sender only)",
    tag=TAG,
    auth=VERIFIED,
    response=schemas.MessageEdits,
    errors=(403, 404),
)
async def list_message_edits(api: ApiRequest) -> schemas.MessageEdits:
    return await changes(api).list_edits(
        api.user.user_id, api.path_id("conversation_id"), api.path_id("message_id")
    )


async def _react(api: ApiRequest, on: bool) -> schemas.MessageReactions:
    message = await changes(api).react(
        api.user.user_id,
        api.path_id("conversation_id"),
        api.path_id("message_id"),
        str(api.path["emoji"]),
        on,
        field="path.emoji",
    )
    return schemas.MessageReactions(
        message_id=message.id, rev=message.rev, reactions=message.reactions
    )


@endpoint(
    routes,
    "PUT",
    MESSAGE_PATH + "/reactions/{emoji}",
    summary="React to a message with one emoji of the fixed set (percent-encoded in the "
    "path); reacting again changes nothing",
    tag=TAG,
    auth=VERIFIED,
    response=schemas.MessageReactions,
    errors=(404, 409, 422, 429),
)
async def add_reaction(api: ApiRequest) -> schemas.MessageReactions:
    return await _react(api, True)


@endpoint(
    routes,
    "DELETE",
    MESSAGE_PATH + "/reactions/{emoji}",
    summary="Take back my reaction; taking back one I have not made changes nothing",
    tag=TAG,
    auth=VERIFIED,
    response=schemas.MessageReactions,
    errors=(404, 422, 429),
)
async def remove_reaction(api: ApiRequest) -> schemas.MessageReactions:
    return await _react(api, False)


# -- Search and contacts (issue 13; rules in search.py) ----------------------------------


def searches(api: ApiRequest) -> SearchService:
    return SearchService(api.db, api.app[SEARCH_LIMITER])


@endpoint(
    routes,
    "GET",
    "/api/messages/search",
    summary="Full-text search of the messages in my conversations, newest first, with "
    "HTML-safe highlights",
    tag=TAG,
    auth=VERIFIED,
    query=schemas.MessageSearchQuery,
    response=schemas.MessageSearchPage,
    errors=(400, 422, 429),
)
async def search_messages(api: ApiRequest) -> schemas.MessageSearchPage:
    return await searches(api).search(api.user.user_id, api.query)


@endpoint(
    routes,
    "GET",
    "/api/messaging/contacts",
    summary="People I may start a conversation with, each with the context that allows it",
    tag=TAG,
    auth=VERIFIED,
    query=schemas.ContactQuery,
    response=schemas.ContactPage,
    errors=(422, 429),
)
async def list_contacts(api: ApiRequest) -> schemas.ContactPage:
    return await searches(api).contacts(api.user.user_id, api.query)


# -- unread summary, mute, notification settings (alerts.py) ---------------------------------


def alerts(api: ApiRequest) -> AlertService:
    return AlertService(api.db, api.app[SEND_WRITER].unread)


@endpoint(
    routes,
    "PUT",
    "/api/conversations/{conversation_id}/mute",
    summary="Mute a conversation for me: no toast, no missed-message email, not counted in "
    "my unread badge (idempotent)",
    tag=TAG,
    auth=VERIFIED,
    response=schemas.MuteState,
    errors=(404,),
)
async def mute_conversation(api: ApiRequest) -> schemas.MuteState:
    return await alerts(api).set_muted(api.user.user_id, api.path_id("conversation_id"), True)


@endpoint(
    routes,
    "DELETE",
    "/api/conversations/{conversation_id}/mute",
    summary="Unmute a conversation for me (idempotent)",
    tag=TAG,
    auth=VERIFIED,
    response=schemas.MuteState,
    errors=(404,),
)
async def unmute_conversation(api: ApiRequest) -> schemas.MuteState:
    return await alerts(api).set_muted(api.user.user_id, api.path_id("conversation_id"), False)


@endpoint(
    routes,
    "GET",
    "/api/me/unread",
    summary="How many of my conversations have a message I have not read (muted ones aside): "
    "the Messages badge; the /chat `unread` event carries the same count",
    tag=TAG,
    auth=VERIFIED,
    response=schemas.UnreadSummary,
)
async def get_unread(api: ApiRequest) -> schemas.UnreadSummary:
    return await alerts(api).unread_summary(api.user.user_id)


@endpoint(
    routes,
    "GET",
    "/api/me/notification-settings",
    summary="My notification settings (missed-message emails on or off)",
    tag=TAG,
    auth=USER,
    response=schemas.NotificationSettings,
)
async def get_notification_settings(api: ApiRequest) -> schemas.NotificationSettings:
    return await alerts(api).settings(api.user.user_id)


@endpoint(
    routes,
    "PATCH",
    "/api/me/notification-settings",
    summary="Turn missed-message emails on or off",
    tag=TAG,
    auth=USER,
    body=schemas.NotificationSettings,
    response=schemas.NotificationSettings,
    errors=(422,),
)
async def update_notification_settings(api: ApiRequest) -> schemas.NotificationSettings:
    return await alerts(api).update_settings(api.user.user_id, api.body)
