package cn.gov.qingyang.solr;

import java.nio.file.Path;
import java.util.EnumSet;
import javax.servlet.DispatcherType;
import org.apache.solr.servlet.CoreContainerProvider;
import org.apache.solr.servlet.SolrDispatchFilter;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.servlet.ServletContextHandler;

/**
 * Runs Solr 9 in an embedded Jetty 10, standing in for the binary distribution
 * (bin/solr + server/), which we cannot download. It registers what Solr's own
 * WEB-INF/web.xml registers; the admin UI (static webapp files) is not shipped.
 *
 * <p>Settings (system properties, or args: host port solrHome):
 * solr.host (127.0.0.1), jetty.port (8983), solr.solr.home (./solr-home).
 */
public final class SolrLauncher {

  public static void main(String[] args) throws Exception {
    String host = args.length > 0 ? args[0] : System.getProperty("solr.host", "127.0.0.1");
    int port = Integer.parseInt(args.length > 1 ? args[1] : System.getProperty("jetty.port", "8983"));
    Path home = Path.of(args.length > 2 ? args[2] : System.getProperty("solr.solr.home", "solr-home"))
        .toAbsolutePath().normalize();
    // Solr reads jetty.port for its banner and for the node name (host:port_solr).
    System.setProperty("jetty.port", Integer.toString(port));

    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host); // loopback by default: Solr has no authentication here
    connector.setPort(port);
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.setContextPath("/solr");
    // CoreContainerProvider reads the Solr home from this attribute (a String).
    context.setAttribute(SolrDispatchFilter.SOLRHOME_ATTRIBUTE, home.toString());
    // The listener builds the CoreContainer (loads solr.xml and the cores) when the
    // context starts and closes it (flushing the index) when the context stops.
    context.addEventListener(new CoreContainerProvider());
    // The filter routes every request (/select, /update, /schema, /admin/...) to a handler.
    FilterHolder dispatch =
        context.addFilter(SolrDispatchFilter.class, "/*", EnumSet.of(DispatcherType.REQUEST));
    dispatch.setAsyncSupported(true); // as in Solr's web.xml
    server.setHandler(context);

    // SIGTERM (supervisord stop) runs a JVM shutdown hook that stops Jetty, which
    // destroys the context, so cores are closed cleanly and the tlog is not replayed.
    server.setStopAtShutdown(true);
    server.setStopTimeout(15_000);
    server.start();
    server.join();
  }
}
