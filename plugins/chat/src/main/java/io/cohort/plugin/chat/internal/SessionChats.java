package io.cohort.plugin.chat.internal;

import java.time.Instant;

/** A session that has chats: its participants' messages no admin has read yet, and its latest message. */
public record SessionChats(String sessionId, long unread, Instant lastAt) {}
