#pragma once
/// @file
/// A datamodel's <vm_group> read into VmGroupSpec (deployment_xml.cpp walks the rest): its
/// interfaces, scaling, KPIs and rules, day-0 configuration, placement, volumes and the
/// csm_host extension, each checked as it is read. Internal to model/xml.

#include <vector>

#include <pugixml.hpp>

#include "model/deployment.hpp"
#include "model/xml/deployment_xml.hpp"

namespace escd::model::xml {

/// The group `node`; the resources it names (image, flavor, networks) added to `references`.
VmGroupSpec ParseGroup(const pugi::xml_node& node, std::vector<Reference>& references);

}  // namespace escd::model::xml
