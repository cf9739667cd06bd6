#pragma once
/// @file
/// The codec of model/dynamic_mapping.hpp's MetricSpec: a stored metric document (a
/// dynamic_mappings row of kind metric) read into its type. A stored document that does not read
/// is a fault of escd or its database: Error(kInternal) naming it.

#include <string_view>

#include "model/dynamic_mapping.hpp"

namespace escd::model::xml {

MetricSpec MetricSpecFromStored(std::string_view stored);

}  // namespace escd::model::xml
