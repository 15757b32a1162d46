package io.clawhive.worker.routing;

import io.clawhive.core.storage.InstanceState;
import java.util.Optional;

/** What the bot says on its own (not the agent). One place, so the wording stays consistent. */
final class BotReplies {
  static final String FAILURE =
      "Sorry, your agent could not answer this message. It was tried several times; please send"
          + " it again in a minute. If this keeps happening, send /restart.";

  static final String HELP =
      "I connect you to your own private AI agent. Just write to it.\n\n"
          + "/start - welcome and the state of your agent\n"
          + "/status - the state of your agent\n"
          + "/reset - start a fresh conversation (your agent forgets the chat so far)\n"
          + "/restart - restart your agent if it seems stuck\n"
          + "/help - this text";

  static final String RESET = "Done: a fresh conversation starts with your next message.";

  static final String RESTART = "Restarting your agent; it will be back in a few seconds.";

  private BotReplies() {}

  /** Appended to an answer cut at the worker's cap. */
  static String cutNote(int maxChars) {
    return "\n\n[The answer was longer than "
        + String.format("%,d", maxChars)
        + " characters and was cut here.]";
  }

  static String welcome(Optional<InstanceState> state) {
    return "Welcome! You have your own private AI agent here. Write anything to talk to it.\n\n"
        + status(state)
        + "\n\nSend /help to see what else I understand.";
  }

  static String status(Optional<InstanceState> state) {
    if (state.isEmpty()) {
      return "Your agent: not started yet; it starts with your first message.";
    }
    return "Your agent: "
        + switch (state.get()) {
          case RUNNING -> "running and ready.";
          case PROVISIONING, STARTING -> "starting up.";
          case UNHEALTHY, RESTARTING -> "recovering from a problem; it restarts by itself.";
          case HIBERNATED -> "asleep; it wakes up with your next message.";
          case FAILED -> "failed and needs attention; try /restart.";
          case DELETED -> "deleted; it is created again with your next message.";
        };
  }
}
