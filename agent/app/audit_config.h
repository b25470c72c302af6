// The `audit:` and `metrics:` sections of warden.yaml.
#pragma once

#include "app/config.h"
#include "core/yaml_reader.h"

namespace warden::app {

void readAuditSection(yaml_reading::Reader& r, const yaml_reading::Entry* e, AuditConfig& out);
void readMetricsSection(yaml_reading::Reader& r, const yaml_reading::Entry* e, MetricsConfig& out);

}  // namespace warden::app
