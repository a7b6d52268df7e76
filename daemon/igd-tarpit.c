/*
 * igd-tarpit.c: denials paced per caller, and the worker-thread filter
 * that answers the calls of callers denied outright (igd-tarpit.h).
 */
#include "config.h"

#include "igd-tarpit.h"

#define TICK_MS (IGD_TARPIT_INTERVAL_MS / 4)
#define CALLERS_MAX 4096 /* past this, callers with nothing held and no outright denial are forgotten */

typedef struct {
    gint64 next_free; /* monotonic µs: a denial from then on is answered at once */
    GQueue held;      /* GDBusMessage*: replies waiting for their turn, oldest first */
    char *error_name; /* denied outright: the filter answers with this error; NULL = the main loop decides */
    char *why;
} Caller;

/* Shared with the filter and the timer, which may outlive the IgdTarpit by a moment: reference counted. */
typedef struct {
    GMutex lock;
    GHashTable *callers; /* unique name → Caller* */
    GDBusConnection *connection;
    char *object_path;
    char *interface;
    const char *const *methods;
    guint tick;          /* timeout source while anything is held, 0 = none */
    gboolean closed;
    guint filtered, late, unanswered;
} Shared;

struct _IgdTarpit {
    Shared *shared;
    guint filter_id;
};

static void
caller_free(Caller *c)
{
    g_queue_clear_full(&c->held, g_object_unref);
    g_free(c->error_name);
    g_free(c->why);
    g_free(c);
}

static void
shared_clear(Shared *s)
{
    g_hash_table_unref(s->callers);
    g_object_unref(s->connection);
    g_free(s->object_path);
    g_free(s->interface);
    g_mutex_clear(&s->lock);
}

static Shared *
shared_ref(Shared *s)
{
    return g_atomic_rc_box_acquire(s);
}

static void
shared_unref(gpointer s)
{
    g_atomic_rc_box_release_full(s, (GDestroyNotify)shared_clear);
}

/* Under the lock. */
static Caller *
caller_get(Shared *s, const char *sender)
{
    Caller *c = g_hash_table_lookup(s->callers, sender);
    GHashTableIter iter;
    gpointer value;

    if (c != NULL)
        return c;
    if (g_hash_table_size(s->callers) >= CALLERS_MAX) {
        g_hash_table_iter_init(&iter, s->callers);
        while (g_hash_table_iter_next(&iter, NULL, &value)) {
            Caller *old = value;
            if (old->held.length == 0 && old->error_name == NULL)
                g_hash_table_iter_remove(&iter);
        }
    }
    c = g_new0(Caller, 1);
    g_queue_init(&c->held);
    g_hash_table_insert(s->callers, g_strdup(sender), c);
    return c;
}

/* Under the lock: TRUE when @c may be answered now, which counts against its pace. */
static gboolean
pace_take(Caller *c, gint64 now)
{
    const gint64 interval = IGD_TARPIT_INTERVAL_MS * G_GINT64_CONSTANT(1000);

    if (c->next_free > now)
        return FALSE;
    c->next_free = MAX(c->next_free, now - (IGD_TARPIT_BURST - 1) * interval) + interval;
    return TRUE;
}

static gboolean tick(gpointer user_data);

/* Under the lock: hold @reply (taken) for its turn, or drop it when @c has enough held. */
static void
hold(Shared *s, Caller *c, GDBusMessage *reply)
{
    if (c->held.length >= IGD_TARPIT_HELD_MAX) {
        s->unanswered++;
        g_object_unref(reply);
        return;
    }
    g_queue_push_tail(&c->held, reply);
    /* Any thread may add a source to the main context; it runs in the main thread. */
    if (s->tick == 0 && !s->closed)
        s->tick = g_timeout_add_full(G_PRIORITY_DEFAULT, TICK_MS, tick, shared_ref(s), shared_unref);
}

/* Under the lock: @reply (taken) now (returned, to send once unlocked) or later. */
static GDBusMessage *
answer_locked(Shared *s, Caller *c, GDBusMessage *reply)
{
    if (c->held.length == 0 && pace_take(c, g_get_monotonic_time()))
        return reply;
    hold(s, c, reply);
    return NULL;
}

/* The main thread, while anything is held: send what is due. */
static gboolean
tick(gpointer user_data)
{
    Shared *s = user_data;
    g_autoptr(GPtrArray) due = g_ptr_array_new_with_free_func(g_object_unref);
    gint64 now = g_get_monotonic_time();
    gboolean more = FALSE;
    GHashTableIter iter;
    gpointer value;

    g_mutex_lock(&s->lock);
    if (!s->closed) {
        g_hash_table_iter_init(&iter, s->callers);
        while (g_hash_table_iter_next(&iter, NULL, &value)) {
            Caller *c = value;
            while (c->held.length > 0 && pace_take(c, now))
                g_ptr_array_add(due, g_queue_pop_head(&c->held));
            more = more || c->held.length > 0;
        }
        s->late += due->len;
    }
    if (!more)
        s->tick = 0;
    g_mutex_unlock(&s->lock);
    for (guint i = 0; i < due->len; i++)
        g_dbus_connection_send_message(s->connection, g_ptr_array_index(due, i), G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL,
                                       NULL);
    return more ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
is_method(const Shared *s, const char *member)
{
    for (guint i = 0; member != NULL && s->methods[i] != NULL; i++)
        if (g_str_equal(member, s->methods[i]))
            return TRUE;
    return FALSE;
}

/*
 * GDBus's worker thread, every message: a call of ours from a caller
 * denied outright is answered (paced) here and dropped, never dispatched
 * to the main loop. Anything else passes untouched.
 */
static GDBusMessage *
filter(GDBusConnection *connection, GDBusMessage *message, gboolean incoming, gpointer user_data)
{
    Shared *s = user_data;
    const char *sender, *iface, *member;
    GDBusMessage *now = NULL;
    Caller *c;

    if (!incoming || g_dbus_message_get_message_type(message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL ||
        g_strcmp0(g_dbus_message_get_path(message), s->object_path) != 0)
        return message;
    iface = g_dbus_message_get_interface(message);
    member = g_dbus_message_get_member(message);
    sender = g_dbus_message_get_sender(message);
    if (sender == NULL || (iface != NULL && !g_str_equal(iface, s->interface)) || !is_method(s, member))
        return message;
    g_mutex_lock(&s->lock);
    c = s->closed ? NULL : g_hash_table_lookup(s->callers, sender);
    if (c == NULL || c->error_name == NULL) {
        g_mutex_unlock(&s->lock);
        return message;
    }
    s->filtered++;
    if (!(g_dbus_message_get_flags(message) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED))
        now = answer_locked(s, c,
                            g_dbus_message_new_method_error(message, c->error_name, "not authorized to call %s: %s",
                                                            member, c->why));
    g_mutex_unlock(&s->lock);
    if (now != NULL) {
        g_dbus_connection_send_message(connection, now, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
        g_object_unref(now);
    }
    g_object_unref(message);
    return NULL;
}

IgdTarpit *
igd_tarpit_new(GDBusConnection *connection, const char *object_path, const char *interface,
               const char *const *methods)
{
    IgdTarpit *tarpit = g_new0(IgdTarpit, 1);
    Shared *s = g_atomic_rc_box_new0(Shared);

    g_mutex_init(&s->lock);
    s->callers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)caller_free);
    s->connection = g_object_ref(connection);
    s->object_path = g_strdup(object_path);
    s->interface = g_strdup(interface);
    s->methods = methods;
    tarpit->shared = s;
    tarpit->filter_id = g_dbus_connection_add_filter(connection, filter, shared_ref(s), shared_unref);
    return tarpit;
}

void
igd_tarpit_free(IgdTarpit *tarpit)
{
    Shared *s;

    if (tarpit == NULL)
        return;
    s = tarpit->shared;
    /* The filter may still run once in the worker thread: it finds the tarpit closed. */
    g_dbus_connection_remove_filter(s->connection, tarpit->filter_id);
    g_mutex_lock(&s->lock);
    s->closed = TRUE;
    if (s->tick != 0)
        g_source_remove(s->tick);
    s->tick = 0;
    g_hash_table_remove_all(s->callers);
    g_mutex_unlock(&s->lock);
    shared_unref(s);
    g_free(tarpit);
}

void
igd_tarpit_deny_outright(IgdTarpit *tarpit, const char *sender, const char *error_name, const char *why)
{
    Shared *s = tarpit->shared;
    Caller *c;

    g_mutex_lock(&s->lock);
    c = caller_get(s, sender);
    g_free(c->error_name);
    g_free(c->why);
    c->error_name = g_strdup(error_name);
    c->why = g_strdup(why);
    g_mutex_unlock(&s->lock);
}

void
igd_tarpit_answer(IgdTarpit *tarpit, const char *sender, GDBusMessage *reply)
{
    Shared *s = tarpit->shared;
    GDBusMessage *now;

    g_mutex_lock(&s->lock);
    now = answer_locked(s, caller_get(s, sender), reply);
    g_mutex_unlock(&s->lock);
    if (now != NULL) {
        g_dbus_connection_send_message(s->connection, now, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
        g_object_unref(now);
    }
}

void
igd_tarpit_forget(IgdTarpit *tarpit, const char *sender)
{
    Shared *s = tarpit->shared;

    g_mutex_lock(&s->lock);
    g_hash_table_remove(s->callers, sender);
    g_mutex_unlock(&s->lock);
}

void
igd_tarpit_take_counts(IgdTarpit *tarpit, guint *filtered, guint *late, guint *unanswered)
{
    Shared *s = tarpit->shared;

    g_mutex_lock(&s->lock);
    *filtered = s->filtered;
    *late = s->late;
    *unanswered = s->unanswered;
    s->filtered = s->late = s->unanswered = 0;
    g_mutex_unlock(&s->lock);
}
