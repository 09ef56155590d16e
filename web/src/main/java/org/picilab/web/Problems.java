package org.picilab.web;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.picilab.model.config.ConfigException;
import org.picilab.platform.db.DatabaseException;
import org.picilab.platform.service.ConflictException;
import org.picilab.workflows.sweep.SpecException;

/**
 * Errors as RFC 9457 problem details ({@code application/problem+json}): a status, a short title,
 * and a detail that names the field or the thing at fault and what to do.
 */
public class Problems {

  /** The media type of problem details. */
  public static final String PROBLEM_JSON = "application/problem+json";

  private static final Logger LOG = Logger.getLogger(Problems.class);

  static Response problem(int status, String title, String detail, UriInfo uri) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    if (uri != null) {
      body.put("instance", uri.getRequestUri().getRawPath());
    }
    return Response.status(status).type(PROBLEM_JSON).entity(body).build();
  }

  @ServerExceptionMapper
  Response notFound(org.picilab.platform.service.NotFoundException e, UriInfo uri) {
    return problem(404, "Not found", e.getMessage(), uri);
  }

  @ServerExceptionMapper
  Response noRoute(NotFoundException e, UriInfo uri) {
    return problem(404, "Not found", "no resource at this path; see /q/openapi", uri);
  }

  @ServerExceptionMapper
  Response conflict(ConflictException e, UriInfo uri) {
    return problem(409, "Conflict", e.getMessage(), uri);
  }

  @ServerExceptionMapper({SpecException.class, ConfigException.class})
  Response badSpec(RuntimeException e, UriInfo uri) {
    return problem(400, "Invalid specification", e.getMessage(), uri);
  }

  @ServerExceptionMapper
  Response badArgument(IllegalArgumentException e, UriInfo uri) {
    return problem(400, "Bad request", e.getMessage(), uri);
  }

  @ServerExceptionMapper
  Response database(DatabaseException e, UriInfo uri) {
    LOG.error("database error", e);
    return problem(
        503,
        "Database unavailable",
        "the database of record could not answer: " + e.getMessage() + "; try again shortly",
        uri);
  }
}
