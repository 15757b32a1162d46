package io.clawhive.worker.routing;

import com.codahale.metrics.Meter;
import io.clawhive.core.telegram.TelegramApiException;
import io.clawhive.core.telegram.TelegramBotApi;
import io.clawhive.core.telegram.TelegramUnexpectedAnswerException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers in the Telegram chat, the first piece as a reply to the user's message; an answer longer
 * than the inline limit goes out as its first message plus the whole text as {@value
 * AnswerParts#FILE_NAME} (see {@link AnswerParts}). An odd answer to a message Telegram accepted
 * counts as sent: repeating it would show the user the answer twice.
 */
final class TelegramReplier implements Replier {
  private static final Logger LOG = LoggerFactory.getLogger(TelegramReplier.class);

  private final TelegramBotApi api;
  private final long chatId;
  private final Integer replyTo;
  private final int inlineMessages;
  private final Meter documents;

  TelegramReplier(TelegramBotApi api, long chatId, Integer replyTo) {
    this(api, chatId, replyTo, AnswerLimits.DEFAULT_INLINE_MESSAGES, new Meter());
  }

  /**
   * @param documents marked for every answer sent as a document
   */
  TelegramReplier(
      TelegramBotApi api, long chatId, Integer replyTo, int inlineMessages, Meter documents) {
    this.api = api;
    this.chatId = chatId;
    this.replyTo = replyTo;
    this.inlineMessages = inlineMessages;
    this.documents = documents;
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
  public void answer(String text, Progress progress) {
    List<AnswerParts.Part> parts = AnswerParts.of(text, inlineMessages);
    int from = progress.partsSent();
    if (from > 0 && from < parts.size()) {
      LOG.info(
          "Chat {}: {} of {} part(s) were sent before; sending the rest",
          chatId,
          from,
          parts.size());
    }
    for (int i = from; i < parts.size(); i++) {
      AnswerParts.Part part = parts.get(i);
      Integer inReplyTo = i == 0 ? replyTo : null;
      if (part.document()) {
        sendDocument(part.text(), inReplyTo);
        documents.mark();
      } else {
        send(part.text(), inReplyTo);
      }
      progress.sent(i + 1);
    }
  }

  @Override
  public void failure(String text) {
    send(text, replyTo);
  }

  private void send(String text, Integer inReplyTo) {
    try {
      api.sendMessage(chatId, text, inReplyTo);
    } catch (TelegramUnexpectedAnswerException e) {
      if (!e.accepted()) {
        throw e;
      }
      LOG.info("Telegram accepted the message for chat {} (odd answer, see above)", chatId);
    }
  }

  private void sendDocument(String text, Integer inReplyTo) {
    try {
      api.sendDocument(
          chatId,
          AnswerParts.FILE_NAME,
          text.getBytes(StandardCharsets.UTF_8),
          AnswerParts.caption(text),
          inReplyTo);
    } catch (TelegramUnexpectedAnswerException e) {
      if (!e.accepted()) {
        throw e;
      }
      LOG.info("Telegram accepted the document for chat {} (odd answer, see above)", chatId);
    }
  }
}
