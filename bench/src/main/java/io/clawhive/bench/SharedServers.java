package io.clawhive.bench;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.clawhive.core.broker.AmqpConnections;
import io.clawhive.core.broker.BrokerTopology;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * What the benchmark leaves on a shared PostgreSQL / RabbitMQ: nothing (own schema, queue removed).
 */
final class SharedServers {

  private final String url;
  private final String user;
  private final String schema = "bench_" + Long.toHexString(System.nanoTime());

  SharedServers(String url, String user) {
    this.url = url;
    this.user = user;
  }

  /** Creates the schema and answers the JDBC URL that uses it. */
  String createSchema() throws SQLException {
    execute("CREATE SCHEMA " + schema);
    return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  void dropSchema() throws SQLException {
    execute("DROP SCHEMA " + schema + " CASCADE");
  }

  private void execute(String sql) throws SQLException {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(url);
    dataSource.setUser(user);
    try (var connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  static void deleteWorkerQueue(String amqpUri, String nodeId) throws Exception {
    try (Connection connection = AmqpConnections.open(amqpUri, "bench-clean");
        Channel channel = connection.createChannel()) {
      channel.queueDelete(new BrokerTopology().workerQueue(nodeId));
    }
  }
}
