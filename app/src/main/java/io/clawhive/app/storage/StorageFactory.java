package io.clawhive.app.storage;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;

/**
 * Where clawhive keeps its state: an H2 file database under the data directory unless {@code url}
 * names another JDBC database (PostgreSQL for scale-out).
 */
public class StorageFactory {
  static final String H2_FILE_NAME = "clawhive";
  static final int DEFAULT_MAX_CONNECTIONS = 16;

  /** JDBC URL; blank means an H2 file database under the data directory. */
  @NotNull
  @Pattern(
      regexp = "|jdbc:(h2|postgresql):.*",
      message = "must be blank or a jdbc:h2: or jdbc:postgresql: URL")
  private String url = "";

  @NotNull private String user = "clawhive";

  @NotNull private String password = "";

  private boolean migrateOnStart = true;

  @Min(2)
  @Max(500)
  private int maxConnections = DEFAULT_MAX_CONNECTIONS;

  @JsonProperty
  public String getUrl() {
    return url;
  }

  @JsonProperty
  public void setUrl(String url) {
    this.url = url == null ? "" : url.trim();
  }

  @JsonProperty
  public String getUser() {
    return user;
  }

  @JsonProperty
  public void setUser(String user) {
    this.user = user;
  }

  @JsonProperty
  public void setPassword(String password) {
    this.password = password == null ? "" : password;
  }

  @JsonProperty
  public boolean isMigrateOnStart() {
    return migrateOnStart;
  }

  @JsonProperty
  public void setMigrateOnStart(boolean migrateOnStart) {
    this.migrateOnStart = migrateOnStart;
  }

  @JsonProperty
  public int getMaxConnections() {
    return maxConnections;
  }

  @JsonProperty
  public void setMaxConnections(int maxConnections) {
    this.maxConnections = maxConnections;
  }

  /** The JDBC URL in force: the configured one, or the H2 file under {@code dataDir}. */
  public String effectiveUrl(Path dataDir) {
    if (!url.isEmpty()) {
      return url;
    }
    Path file = dataDir.toAbsolutePath().normalize().resolve("db").resolve(H2_FILE_NAME);
    return "jdbc:h2:file:" + file + ";DB_CLOSE_ON_EXIT=FALSE";
  }

  public boolean isH2(Path dataDir) {
    return effectiveUrl(dataDir).startsWith("jdbc:h2:");
  }

  /** A Dropwizard pool description for this storage. */
  public DataSourceFactory dataSourceFactory(Path dataDir) {
    DataSourceFactory factory = new DataSourceFactory();
    String effective = effectiveUrl(dataDir);
    factory.setUrl(effective);
    factory.setDriverClass(
        effective.startsWith("jdbc:h2:") ? "org.h2.Driver" : "org.postgresql.Driver");
    factory.setUser(user);
    factory.setPassword(password);
    factory.setMinSize(1);
    factory.setInitialSize(1);
    factory.setMaxSize(maxConnections);
    factory.setValidationQuery("SELECT 1");
    factory.setMaxWaitForConnection(Duration.seconds(5));
    factory.setCheckConnectionWhileIdle(false);
    return factory;
  }

  /** Never shows the password. */
  @Override
  public String toString() {
    return "storage{url="
        + (url.isEmpty() ? "<h2 file under data dir>" : url)
        + ", user="
        + user
        + ", password="
        + (password.isEmpty() ? "<none>" : "****")
        + ", migrateOnStart="
        + migrateOnStart
        + ", maxConnections="
        + maxConnections
        + "}";
  }
}
