package io.clawhive.core.telegram;

/** The bot itself, as {@code getMe} tells: its user id and username (null if it has none). */
public record BotUser(long id, String username) {}
