#pragma once
/// @file
/// The codec of model/resource_spec.hpp: a stored resource spec (validated and canonicalised
/// when accepted, model/xml/resource_rules.cpp) read into its kind's type. A stored spec that
/// does not read is a fault of escd or its database: Error(kInternal) naming the kind.

#include <cstdint>
#include <string>
#include <string_view>

#include "model/resource_spec.hpp"

namespace escd::model::xml {

NetworkSpec NetworkSpecFromStored(std::string_view stored);
SubnetSpec SubnetSpecFromStored(std::string_view stored);
ImageSpec ImageSpecFromStored(std::string_view stored);
FileServerSpec FileServerSpecFromStored(std::string_view stored);
VolumeSpec VolumeSpecFromStored(std::string_view stored);
FlavorSpec FlavorSpecFromStored(std::string_view stored);
RouterSpec RouterSpecFromStored(std::string_view stored);

/// The <name> of a stored spec of any kind (resources.name of an update); empty when it has none.
std::string NameFromStored(std::string_view stored);

/// A stored volume spec with the size the VIM gave it, in MiB rounded up (sizes are whole).
std::string VolumeSpecWithSize(std::string_view stored, std::uint64_t bytes);

}  // namespace escd::model::xml
