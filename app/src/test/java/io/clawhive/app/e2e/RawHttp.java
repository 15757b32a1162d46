package io.clawhive.app.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 requests written byte for byte on a socket, so that a path reaches the server exactly as
 * spelled ({@link java.net.http.HttpClient} normalises or refuses some spellings).
 */
final class RawHttp {
  private static final int TIMEOUT_MILLIS = 30_000;

  private RawHttp() {}

  /** One answer: its status code and everything the server sent. */
  record Answer(int status, String text) {
    boolean success() {
      return status >= 200 && status < 300;
    }

    /** The body, de-chunked when the server sent it in chunks. */
    String body() {
      int start = text.indexOf("\r\n\r\n") + 4;
      String head = text.substring(0, start).toLowerCase(java.util.Locale.ROOT);
      if (!head.contains("transfer-encoding: chunked")) {
        return text.substring(start);
      }
      StringBuilder body = new StringBuilder();
      int at = start;
      while (true) {
        int lineEnd = text.indexOf("\r\n", at);
        int size = Integer.parseInt(text.substring(at, lineEnd).split(";")[0].trim(), 16);
        if (size == 0) {
          return body.toString();
        }
        body.append(text, lineEnd + 2, lineEnd + 2 + size);
        at = lineEnd + 2 + size + 2;
      }
    }
  }

  static Answer send(int port, String method, String rawPath, String authorization, String body)
      throws IOException {
    byte[] content = (body == null ? "" : body).getBytes(StandardCharsets.UTF_8);
    StringBuilder request =
        new StringBuilder()
            .append(method)
            .append(' ')
            .append(rawPath)
            .append(" HTTP/1.1\r\nHost: 127.0.0.1:")
            .append(port)
            .append("\r\nConnection: close\r\nContent-Type: application/json\r\n")
            .append("Content-Length: ")
            .append(content.length)
            .append("\r\n");
    if (authorization != null) {
      request.append("Authorization: ").append(authorization).append("\r\n");
    }
    request.append("\r\n");
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(content);
      out.flush();
      InputStream in = socket.getInputStream();
      String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      if (!text.startsWith("HTTP/1.1 ")) {
        throw new IOException("not an HTTP answer to " + method + " " + rawPath + ": " + text);
      }
      return new Answer(Integer.parseInt(text.substring(9, 12)), text);
    }
  }
}
