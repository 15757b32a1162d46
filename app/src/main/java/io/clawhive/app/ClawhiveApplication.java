package io.clawhive.app;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.clawhive.app.storage.StorageFactory;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.migrations.MigrationsBundle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The clawhive node: one jar, whose {@code roles:} decide whether it runs the api, worker and
 * scheduler roles. This class only wires; {@link Node} builds the components.
 */
public final class ClawhiveApplication extends Application<ClawhiveConfiguration> {

  public static void main(String[] args) throws Exception {
    quietDerby();
    // Liquibase (db commands, migrations at start) must never phone home.
    System.setProperty("liquibase.analytics.enabled", "false");
    System.setProperty("liquibase.showBanner", "false");
    new ClawhiveApplication().run(args);
  }

  /**
   * Derby (the embedded broker's store) writes derby.log into the working directory unless told.
   */
  static void quietDerby() throws java.io.IOException {
    if (System.getProperty("derby.stream.error.file") == null) {
      String dataDir = System.getenv().getOrDefault("CLAWHIVE_DATA_DIR", "./data");
      Path dir = Path.of(dataDir).toAbsolutePath().normalize();
      Files.createDirectories(dir);
      System.setProperty("derby.stream.error.file", dir.resolve("derby.log").toString());
    }
  }

  @Override
  public String getName() {
    return "clawhive";
  }

  @Override
  public void initialize(Bootstrap<ClawhiveConfiguration> bootstrap) {
    // the admin API shows times as ISO-8601 text, not epoch numbers
    bootstrap.getObjectMapper().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    bootstrap.setConfigurationSourceProvider(
        new SubstitutingSourceProvider(
            bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(true)));
    bootstrap.addBundle(
        new MigrationsBundle<>() {
          @Override
          public DataSourceFactory getDataSourceFactory(ClawhiveConfiguration configuration) {
            StorageFactory storage = configuration.getStorage();
            return storage.dataSourceFactory(configuration.dataDir());
          }
        });
  }

  @Override
  public void run(ClawhiveConfiguration configuration, Environment environment) throws Exception {
    AdminTasksGuard.install(environment, configuration.getApi().adminToken());
    Node.build(configuration, environment);
  }
}
