#pragma once
/// @file
/// The `esc_datamodel` of a deployment request <-> escd (ESC reference, 06-Deployments).
///
/// A request holds one tenant with one deployment:
///   esc_datamodel/tenants/tenant{name}/deployments/deployment{name, vm_group+, networks?,
///   policies?, extensions?, ...}
/// The tenant's <name> is its internal tenant id. Everything is validated before anything is
/// stored (400 naming the field); the stored form is the datamodel canonicalised (no prefixes,
/// the reference's misspellings of <nicid> — nicaid, nictid, nivid — written as nicid), with
/// every element escd does not interpret kept, so GET /deployments/config/{id} returns it.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model/deployment.hpp"
#include "model/resource.hpp"
#include "model/xml/resource_xml.hpp"

namespace escd::model::xml {

struct ParsedDeployment {
    DeploymentSpec spec;
    std::string stored;  ///< canonical esc_datamodel
    /// Images, flavors and networks the datamodel names, which must exist (404 otherwise);
    /// networks the datamodel declares itself are not listed. Each internal_id is the
    /// datamodel's text (a name, a VIM UUID or an internal id) until RecordResolvedReferences
    /// makes it the internal id it means.
    std::vector<Reference> references;
    /// The networks and subnets the datamodel declares (<networks>), as the resources escd
    /// creates with the deployment (CREATE_NETWORK, CREATE_SUBNET) and removes with it; each
    /// validated like a POST of that kind, its internal id its <name>.
    std::vector<ResourceRecord> declared;
};

/// Parses and validates a POST/PUT body for deployment `path_id`. Throws Error(kBadRequest).
ParsedDeployment ParseDeploymentRequest(std::string_view body, std::string_view path_id);

/// What one reference of a datamodel means: its text (a name, a VIM UUID or an internal id)
/// and the internal id it resolved to (model/reference_resolution.hpp).
struct ResolvedReference {
    ResourceKind kind;
    std::string text;
    std::string internal_id;
};

/// Records in `parsed.stored` what its references mean, and makes `parsed.spec` and
/// `parsed.references` name the internal ids: the workflow and what a deployment uses work from
/// those, while GET /deployments/config shows the client's text. A reference `resolved` lacks
/// stays as its text.
void RecordResolvedReferences(ParsedDeployment& parsed,
                              const std::vector<ResolvedReference>& resolved);

/// What the references of a stored datamodel that were not internal ids resolved to.
std::vector<ResolvedReference> ResolvedReferencesOf(std::string_view stored);

/// The typed view of a stored datamodel (its references as the internal ids they mean).
DeploymentSpec DeploymentSpecFromStored(std::string_view stored, std::string_view internal_id);

/// The images, flavors and networks a stored datamodel names, as internal ids.
std::vector<Reference> DeploymentReferences(std::string_view stored, std::string_view internal_id);

/// What a PUT may not change (400 naming it): the tenant and name; of a vm_group that stays, its
/// flavor or size, and an interface kept under its nicid (another image is a rolling upgrade).
/// Adding and removing vm_groups, interfaces and declared networks, scaling bounds, day-0, KPIs and
/// rules may change.
void CheckDeploymentUpdate(const DeploymentSpec& current, const DeploymentSpec& next);

/// A kept vm_group given another image is upgraded VM by VM, one down at a time: 400 naming the
/// group when that would leave fewer than its (new) min_active alive. `vms`: how many VMs each
/// group has now.
void CheckRollingUpgrades(const DeploymentSpec& current,
                          const DeploymentSpec& next,
                          const std::map<std::string, int>& vms);

/// The networks and subnets a PUT declares that the deployment (stored datamodel `current`)
/// does not: what the update creates. A network declared before and after must be declared
/// alike (the same definition, the same subnets); a network the PUT no longer declares must not
/// be named by its interfaces (`next.references`, resolved) or static address pools. 400 naming
/// the network otherwise.
std::vector<ResourceRecord> DeclaredAddedByUpdate(std::string_view current,
                                                  const ParsedDeployment& next);

/// GET /v0/deployments/config/{id}: the stored datamodel in the ESC namespace.
std::string DeploymentConfigDocument(std::string_view stored);

}  // namespace escd::model::xml
