package io.clawhive.worker;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.clawhive.worker.routing.AnswerLimits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** How long an agent's answer may be and how a long one reaches Telegram. */
public class AnswersConfig {

  /** Characters of a gateway's reply read at most; the rest is never read, the user is told. */
  @JsonProperty
  @Min(AnswerLimits.MIN_MAX_CHARS)
  @Max(AnswerLimits.MAX_MAX_CHARS)
  private int maxChars = AnswerLimits.DEFAULT_MAX_CHARS;

  /** Answers of more Telegram messages than this go out as their first message + answer.md. */
  @JsonProperty
  @Min(1)
  @Max(100)
  private int inlineMessages = AnswerLimits.DEFAULT_INLINE_MESSAGES;

  public AnswerLimits build() {
    return new AnswerLimits(maxChars, inlineMessages);
  }

  public int getMaxChars() {
    return maxChars;
  }

  public void setMaxChars(int maxChars) {
    this.maxChars = maxChars;
  }

  public int getInlineMessages() {
    return inlineMessages;
  }

  public void setInlineMessages(int inlineMessages) {
    this.inlineMessages = inlineMessages;
  }

  @Override
  public String toString() {
    return "answers{maxChars=" + maxChars + ", inlineMessages=" + inlineMessages + "}";
  }
}
