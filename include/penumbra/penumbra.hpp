#pragma once
/// @file penumbra.hpp
/// Everything an application needs: `#include <penumbra/penumbra.hpp>`.

#include "penumbra/affinity.hpp"
#include "penumbra/balance.hpp"
#include "penumbra/checkpoint.hpp"
#include "penumbra/codec.hpp"
#include "penumbra/config.hpp"
#include "penumbra/errors.hpp"
#include "penumbra/forecast_model.hpp"
#include "penumbra/load.hpp"
#include "penumbra/metadata_options.hpp"
#include "penumbra/migration.hpp"
#include "penumbra/object_id.hpp"
#include "penumbra/predict.hpp"
#include "penumbra/predictor_options.hpp"
#include "penumbra/runtime.hpp"
#include "penumbra/shadow.hpp"
#include "penumbra/task_options.hpp"
#include "penumbra/tasks.hpp"
#include "penumbra/topology.hpp"
#include "penumbra/version.hpp"
