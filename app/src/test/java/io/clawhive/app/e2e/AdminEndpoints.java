package io.clawhive.app.e2e;

import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.glassfish.jersey.server.ExtendedResourceContext;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.glassfish.jersey.servlet.ServletContainer;

/** Every resource method the running admin container serves, from Jersey's resource model. */
final class AdminEndpoints {
  private AdminEndpoints() {}

  /** One method and its path template, e.g. {@code POST /api/v1/instances/{tenant}/restart}. */
  record Endpoint(String method, String path) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  static List<Endpoint> live(E2eNode node) throws jakarta.servlet.ServletException {
    ServletHolder holder =
        node.environment().getAdminContext().getServletHandler().getServlet("admin-api");
    ServletContainer container = (ServletContainer) holder.getServlet();
    List<Resource> roots =
        container
            .getApplicationHandler()
            .getInjectionManager()
            .getInstance(ExtendedResourceContext.class)
            .getResourceModel()
            .getRootResources();
    List<Endpoint> endpoints = new ArrayList<>();
    roots.forEach(root -> walk(root, "/api", endpoints));
    return endpoints;
  }

  private static void walk(Resource resource, String parent, List<Endpoint> out) {
    String tail = resource.getPath() == null ? "" : resource.getPath().replaceAll("^/+|/+$", "");
    String path = tail.isEmpty() ? parent : parent + "/" + tail;
    for (ResourceMethod method : resource.getAllMethods()) {
      out.add(new Endpoint(method.getHttpMethod(), path));
    }
    resource.getChildResources().forEach(child -> walk(child, path, out));
  }
}
