package io.clawhive.worker.routing;

import io.clawhive.core.reply.HttpReply;
import io.clawhive.core.reply.ReplyPublisher;

/** Answers the HTTP request waiting on an api node, through that node's reply queue. */
final class HttpReplier implements Replier {
  private final ReplyPublisher publisher;
  private final String apiNode;
  private final String correlationId;
  private final long tenant;

  HttpReplier(ReplyPublisher publisher, String apiNode, String correlationId, long tenant) {
    this.publisher = publisher;
    this.apiNode = apiNode;
    this.correlationId = correlationId;
    this.tenant = tenant;
  }

  @Override
  public void typing() {}

  @Override
  public void answer(String text, Progress progress) {
    publisher.publish(apiNode, HttpReply.answer(correlationId, tenant, text));
  }

  @Override
  public void failure(String text) {
    publisher.publish(apiNode, HttpReply.failure(correlationId, tenant, text));
  }
}
