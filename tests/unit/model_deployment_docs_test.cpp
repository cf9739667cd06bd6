// The callback documents escd sends about a deployment (model/xml/deployment_docs.hpp).
#include <gtest/gtest.h>

#include <iterator>

#include <pugixml.hpp>

#include "model/xml/deployment_docs.hpp"

namespace escd::model::xml {
namespace {

TEST(DeploymentDocs, AStageDocumentCarriesTheStageAndTheDeploymentOnly) {
    const auto body = DeploymentStageDocument("VIM_UNAVAILABLE", "dep1");
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(body.c_str())) << body;
    const auto root = doc.document_element();
    EXPECT_STREQ(root.name(), "deployment");
    EXPECT_STREQ(root.attribute("xmlns").value(), "urn:ietf:params:xml:ns:netconf:base:1.0");
    EXPECT_STREQ(root.child_value("deployment_stage"), "VIM_UNAVAILABLE");
    EXPECT_STREQ(root.child_value("internal_deployment_id"), "dep1");
    EXPECT_EQ(std::distance(root.children().begin(), root.children().end()), 2) << body;
}

}  // namespace
}  // namespace escd::model::xml
