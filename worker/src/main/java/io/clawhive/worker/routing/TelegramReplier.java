package io.clawhive.worker.routing;

import io.clawhive.core.telegram.TelegramApiException;
import io.clawhive.core.telegram.TelegramBotApi;
import io.clawhive.core.telegram.TelegramUnexpectedAnswerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers in the Telegram chat, the first piece as a reply to the user's message. An odd answer to
 * a message Telegram accepted counts as sent: repeating it would show the user the answer twice.
 */
final class TelegramReplier implements Replier {
  private static final Logger LOG = LoggerFactory.getLogger(TelegramReplier.class);

  private final TelegramBotApi api;
  private final long chatId;
  private final Integer replyTo;

  TelegramReplier(TelegramBotApi api, long chatId, Integer replyTo) {
    this.api = api;
    this.chatId = chatId;
    this.replyTo = replyTo;
  }

  @Override
  public void typing() {
    try {
      api.sendTyping(chatId);
    } catch (TelegramApiException e) {
      LOG.debug("typing action for chat {} not shown: {}", chatId, e.getMessage());
    }
  }

  @Override
  public void answer(String text) {
    send(text);
  }

  @Override
  public void failure(String text) {
    send(text);
  }

  private void send(String text) {
    try {
      api.sendMessage(chatId, text, replyTo);
    } catch (TelegramUnexpectedAnswerException e) {
      if (!e.accepted()) {
        throw e;
      }
      LOG.info("Telegram accepted the message for chat {} (odd answer, see above)", chatId);
    }
  }
}
