#pragma once
/// @file
/// The validation rules of each resource kind (see resource_xml.hpp for the contract of a
/// KindRules function). Field names follow the reference's models; where ESC's own examples use
/// another spelling (a subnet's <address>/<netmask>/<gateway>/<dhcp>/<ipversion>), both are
/// accepted and the stored form uses the reference's (cidr, gateway_ip, enable_dhcp, ip_version).

#include "model/xml/resource_xml.hpp"

namespace escd::model::xml::rules {

void Network(pugi::xml_node root, ParsedResource& parsed);
void Subnet(pugi::xml_node root, ParsedResource& parsed);
void Image(pugi::xml_node root, ParsedResource& parsed);
void Flavor(pugi::xml_node root, ParsedResource& parsed);
void Volume(pugi::xml_node root, ParsedResource& parsed);
void Router(pugi::xml_node root, ParsedResource& parsed);
void FileServer(pugi::xml_node root, ParsedResource& parsed);

}  // namespace escd::model::xml::rules
