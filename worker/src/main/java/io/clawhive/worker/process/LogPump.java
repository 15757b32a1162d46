package io.clawhive.worker.process;

import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a gateway's merged stdout/stderr into its {@link RotatingLogWriter}. One daemon thread per
 * live gateway: the stream read blocks, and a gateway needs ~1.5 GB, so a host never runs more than
 * a few dozen of them.
 */
final class LogPump implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(LogPump.class);
  private static final int BUFFER_BYTES = 8192;

  private final String instanceId;
  private final InputStream in;
  private final RotatingLogWriter writer;

  LogPump(String instanceId, InputStream in, RotatingLogWriter writer) {
    this.instanceId = instanceId;
    this.in = in;
    this.writer = writer;
  }

  static Thread start(String instanceId, InputStream in, RotatingLogWriter writer) {
    Thread thread = new Thread(new LogPump(instanceId, in, writer), "gateway-log-" + instanceId);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  @Override
  public void run() {
    byte[] buffer = new byte[BUFFER_BYTES];
    try (in;
        writer) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        writer.write(buffer, 0, n);
      }
    } catch (IOException e) {
      LOG.warn("log pump of instance {} stopped: {}", instanceId, e.toString());
    }
  }
}
