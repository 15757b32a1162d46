package io.clawhive.worker.modelproxy;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;

/** The proxy's metrics, never tagged by tenant. */
final class ProxyMetrics {

  final Meter requests;
  final Counter tokensIn;
  final Counter tokensOut;
  final Meter refusedBudget;
  final Meter refusedCredential;
  final Meter upstreamErrors;
  final Meter answersCut;
  final Meter tooLarge;

  ProxyMetrics(MetricRegistry registry) {
    requests = registry.meter("worker.modelproxy.requests");
    tokensIn = registry.counter("worker.modelproxy.tokens.in");
    tokensOut = registry.counter("worker.modelproxy.tokens.out");
    refusedBudget = registry.meter("worker.modelproxy.refused.budget");
    refusedCredential = registry.meter("worker.modelproxy.refused.credential");
    upstreamErrors = registry.meter("worker.modelproxy.upstream.errors");
    answersCut = registry.meter("worker.modelproxy.answers.cut");
    tooLarge = registry.meter("worker.modelproxy.requests.too.large");
  }
}
