package org.picilab.web;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.picilab.workflows.RunProgress;

/** Runs: where one stands now. */
@Path("/api/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

  @Inject PlatformServices services;

  /**
   * A run's progress: live from its workflow while it runs, from its record once it has ended.
   *
   * @param id the run id
   * @return the progress
   */
  @GET
  @Path("/{id}")
  public RunProgress show(@PathParam("id") String id) {
    return services.runs().progress(id);
  }
}
