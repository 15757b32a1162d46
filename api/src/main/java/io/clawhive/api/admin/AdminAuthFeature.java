package io.clawhive.api.admin;

import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;

/**
 * Puts {@link AdminAuthFilter} on every resource method of the admin API's Jersey container, so
 * that a resource added there is guarded without having to ask for it.
 */
final class AdminAuthFeature implements DynamicFeature {
  private final AdminAuthFilter filter;

  AdminAuthFeature(AdminAuthFilter filter) {
    this.filter = filter;
  }

  @Override
  public void configure(ResourceInfo resourceInfo, FeatureContext context) {
    context.register(filter);
  }
}
