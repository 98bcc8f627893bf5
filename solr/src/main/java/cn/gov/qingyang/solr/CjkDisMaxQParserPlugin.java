package cn.gov.qingyang.solr;

import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.solr.common.params.SolrParams;
import org.apache.solr.request.SolrQueryRequest;
import org.apache.solr.search.DisMaxQParser;
import org.apache.solr.search.QParser;
import org.apache.solr.search.QParserPlugin;
import org.apache.solr.search.SyntaxError;
import org.apache.solr.util.SolrPluginUtils;

/**
 * Solr's dismax, plus one change: the minimum-should-match (mm) also applies to
 * the terms that ONE whitespace-free clause analyzes into.
 *
 * <p>Why: Chinese has no spaces, so "无犯罪证明" is one clause; the CJK bigram
 * analyzer turns it into 无犯 犯罪 罪证 证明. Stock dismax ORs those terms (any
 * bigram matches: poor precision), edismax with CKAN's q.op=AND requires all of
 * them (罪证 is not in 「无犯罪记录证明」: nothing found) and then ignores mm across
 * words. Here CKAN's own mm ("2<-1 5<80%") picks the middle: 3 of these 4.
 * Registered as "dismax" in solrconfig.xml because CKAN sends defType=dismax.
 * See solr/ANALYSIS.md.
 */
public class CjkDisMaxQParserPlugin extends QParserPlugin {

  // Internal alias for the qf fields (dismax uses a name no real field can have).
  private static final String ALIAS = "\uFFFC\uFFFC\uFFFC";

  @Override
  public QParser createParser(
      String qstr, SolrParams localParams, SolrParams params, SolrQueryRequest req) {
    return new DisMaxQParser(qstr, localParams, params, req) {
      @Override
      protected SolrPluginUtils.DisjunctionMaxQueryParser getParser(
          Map<String, Float> fields, String paramName, SolrParams solrParams, float tiebreaker) {
        String mm = parseMinShouldMatch(req.getSchema(), solrParams);
        // Same set-up as DisMaxQParser.getParser, with newFieldQuery extended.
        SolrPluginUtils.DisjunctionMaxQueryParser parser =
            new SolrPluginUtils.DisjunctionMaxQueryParser(this, ALIAS) {
              @Override
              protected Query newFieldQuery(Analyzer analyzer, String field, String text,
                  boolean quoted, boolean autoGenPhrase, boolean graph, SynonymQueryStyle style)
                  throws SyntaxError {
                Query q = super.newFieldQuery(analyzer, field, text, quoted, autoGenPhrase, graph, style);
                // Several terms from one unquoted clause come back as a BooleanQuery
                // of SHOULD clauses: require mm of them instead of any one.
                return !quoted && q instanceof BooleanQuery
                    ? SolrPluginUtils.setMinShouldMatch((BooleanQuery) q, mm)
                    : q;
              }
            };
        parser.addAlias(ALIAS, tiebreaker, fields);
        parser.setPhraseSlop(solrParams.getInt(paramName, 0));
        parser.setSplitOnWhitespace(true);
        return parser;
      }
    };
  }
}
