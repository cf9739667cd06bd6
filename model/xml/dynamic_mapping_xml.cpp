#include "model/xml/dynamic_mapping_xml.hpp"

#include <pugixml.hpp>

#include "model/xml/stored_xml.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::model::xml {

MetricSpec MetricSpecFromStored(std::string_view stored) {
    const StoredXml document(stored, "metric document", ToString(MappingKind::kMetric));
    MetricSpec metric{document.Text("name"), {}, {}};
    const auto meta = Child(document.root(), "metaData");
    metric.type = KindNamed(kMetricTypeNames, ChildText(meta, "type").value_or(""));
    const auto properties = Child(meta, "properties");
    for (auto node = properties.first_child(); node && !metric.stat; node = node.next_sibling()) {
        if (node.type() != pugi::node_element || LocalName(node) != "property") continue;
        if (ChildText(node, "name") != "stat") continue;
        metric.stat = KindNamed(kDomainStatNames, ChildText(node, "value").value_or(""));
    }
    return metric;
}

}  // namespace escd::model::xml
