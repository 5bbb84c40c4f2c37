console.log("backscrub");
