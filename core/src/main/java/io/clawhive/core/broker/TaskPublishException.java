package io.clawhive.core.broker;

import io.clawhive.core.ClawhiveException;

/** A publish the broker did not confirm (nack, timeout, no route, no connection). */
public class TaskPublishException extends ClawhiveException {

  private final String target;
  private final String messageId;

  public TaskPublishException(String target, String messageId, String problem, Throwable cause) {
    super("publish of " + messageId + " to " + target + " failed: " + problem, cause);
    this.target = target;
    this.messageId = messageId;
  }

  /** The node id (or exchange) the message was meant for. */
  public String target() {
    return target;
  }

  /** The message id: the task id for tasks. */
  public String messageId() {
    return messageId;
  }
}
